/* api_lang: java.lang for Java Card -- Object and the exception classes (tokens from
 * applets/api/javacard-api.tokens). Throwable and its subclasses carry no state. */
#include "vm/vm_native.h"

static int object_init(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)vm; (void)args; (void)ret; return VM_NAT_OK; }

/* Object.equals: reference identity. The one binding of it: every API class inherits it through its
 * superclass chain (vm_find_virtual walks it); only AID overrides it (equal bytes). */
static int object_equals(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)vm;
    ret[0] = args[0] == args[1];
    return VM_NAT_OK;
}

static const vm_native_method_t object_methods[] = {
    { VM_NAT_CTOR, 0, "<init>()V", object_init },
    { VM_NAT_VIRTUAL, 0, "equals(Ljava/lang/Object;)Z", object_equals },
};

#define LANG_CLASS(tok, name, sup) \
    { VM_PKG_JAVA_LANG, tok, "java/lang/" name, VM_PKG_JAVA_LANG, sup, 0, 0, object_methods, 2, NULL, 0 }

static const vm_native_class_t lang_classes[] = {
    { VM_PKG_JAVA_LANG, 0, "java/lang/Object", -1, -1, 0, 0, object_methods, 2, NULL, 0 },
    LANG_CLASS(1, "Throwable", 0),
    LANG_CLASS(2, "Exception", 1),
    LANG_CLASS(3, "RuntimeException", 2),
    LANG_CLASS(4, "IndexOutOfBoundsException", 3),
    LANG_CLASS(5, "ArrayIndexOutOfBoundsException", 4),
    LANG_CLASS(6, "NegativeArraySizeException", 3),
    LANG_CLASS(7, "NullPointerException", 3),
    LANG_CLASS(8, "ClassCastException", 3),
    LANG_CLASS(9, "ArithmeticException", 3),
    LANG_CLASS(10, "SecurityException", 3),
    LANG_CLASS(11, "ArrayStoreException", 3),
};

const vm_native_area_t vm_api_lang = { "java.lang", lang_classes, CL_ARRAY_LEN(lang_classes) };
