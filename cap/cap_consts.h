/* cap_consts: numeric constants of the CAP file format and the JCVM (JCVM spec 3.0.5 classic,
 * chapters 6 and 7). Shared by the parser, the dumper, the converter and the VM. */
#ifndef CAP_CONSTS_H
#define CAP_CONSTS_H

/* Array types: operand of newarray, checkcast and instanceof. checkcast/instanceof use
 * JC_ATYPE_CLASS (0) for a plain class or interface reference. */
enum jc_atype {
    JC_ATYPE_CLASS     = 0,
    JC_ATYPE_BOOLEAN   = 10,
    JC_ATYPE_BYTE      = 11,
    JC_ATYPE_SHORT     = 12,
    JC_ATYPE_INT       = 13,
    JC_ATYPE_REFERENCE = 14
};

/* Constant pool entry tags; every entry is 4 bytes: tag + 3 bytes of info. */
enum cap_cp_tag {
    CAP_CP_CLASSREF           = 1,
    CAP_CP_INSTANCE_FIELDREF  = 2,
    CAP_CP_VIRTUAL_METHODREF  = 3,
    CAP_CP_SUPER_METHODREF    = 4,
    CAP_CP_STATIC_FIELDREF    = 5,
    CAP_CP_STATIC_METHODREF   = 6
};
#define CAP_CP_ENTRY_SIZE 4

/* Component tags. Tags 128..255 are custom components (skipped by the parser). */
enum cap_component_tag {
    CAP_COMP_HEADER       = 1,
    CAP_COMP_DIRECTORY    = 2,
    CAP_COMP_APPLET       = 3,
    CAP_COMP_IMPORT       = 4,
    CAP_COMP_CONSTANTPOOL = 5,
    CAP_COMP_CLASS        = 6,
    CAP_COMP_METHOD       = 7,
    CAP_COMP_STATICFIELD  = 8,
    CAP_COMP_REFLOCATION  = 9,
    CAP_COMP_EXPORT       = 10,
    CAP_COMP_DESCRIPTOR   = 11,
    CAP_COMP_DEBUG        = 12
};
#define CAP_COMP_STANDARD_LAST CAP_COMP_DESCRIPTOR /* Directory's component_sizes has 11 entries */
#define CAP_COMP_CUSTOM_FIRST  128

/* Header component. */
#define CAP_MAGIC           0xDECAFFEDu
#define CAP_HDR_ACC_INT     0x01   /* the package uses the int type */
#define CAP_HDR_ACC_EXPORT  0x02   /* the package has an Export component */
#define CAP_HDR_ACC_APPLET  0x04   /* the package has an Applet component */

/* Class component: interface_info / class_info bitfield high nibble. */
#define CAP_ACC_INTERFACE   0x8
#define CAP_ACC_SHAREABLE   0x4
#define CAP_ACC_REMOTE      0x2

/* Method component: method_header_info flags (high nibble of the first byte). */
#define CAP_METHOD_ACC_EXTENDED 0x8  /* extended header: 4 bytes instead of 2 */
#define CAP_METHOD_ACC_ABSTRACT 0x4

/* class_ref encoding: a u2; high bit set means external (package token | class token),
 * clear means internal (offset of the class_info in the Class component). */
#define CAP_CLASSREF_EXTERNAL 0x8000u

/* Descriptor component class access flags (class_descriptor_info). */
#define CAP_DESC_CLASS_PUBLIC    0x01
#define CAP_DESC_CLASS_FINAL     0x10
#define CAP_DESC_CLASS_INTERFACE 0x40
#define CAP_DESC_CLASS_ABSTRACT  0x80
/* Descriptor component field and method access flags. */
#define CAP_ACC_PUBLIC     0x01
#define CAP_ACC_PRIVATE    0x02
#define CAP_ACC_PROTECTED  0x04
#define CAP_ACC_STATIC     0x08
#define CAP_ACC_FINAL      0x10
#define CAP_ACC_ABSTRACT   0x40
#define CAP_ACC_INIT       0x80
/* Descriptor field_descriptor_info type: primitive types are encoded with the high bit set. */
#define CAP_TYPE_PRIMITIVE 0x8000u
#define CAP_TYPE_BOOLEAN   0x0002
#define CAP_TYPE_BYTE      0x0003
#define CAP_TYPE_SHORT     0x0004
#define CAP_TYPE_INT       0x0005

/* Type descriptor nibbles (Descriptor component type_descriptor). */
enum cap_type_nibble {
    CAP_TN_VOID = 0x1, CAP_TN_BOOLEAN = 0x2, CAP_TN_BYTE = 0x3, CAP_TN_SHORT = 0x4,
    CAP_TN_INT = 0x5, CAP_TN_REFERENCE = 0x6, CAP_TN_ARRAY_BOOLEAN = 0xA, CAP_TN_ARRAY_BYTE = 0xB,
    CAP_TN_ARRAY_SHORT = 0xC, CAP_TN_ARRAY_INT = 0xD, CAP_TN_ARRAY_REFERENCE = 0xE
};

/* Limits of the format (AIDs are 5..16 bytes). */
#define CAP_AID_MIN 5
#define CAP_AID_MAX 16

#endif
