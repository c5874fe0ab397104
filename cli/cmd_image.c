/* cardlet image: what a card maker does before issuance -- load packages into a card image and
 * create applet instances (install), and list what an image holds (info). */
#include "card/card.h"
#include "cli/cli.h"
#include "common/cl_util.h"
#include "vm/vm_card.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cardlet image install CARD.img [FILE.cap] [--applet AID [--instance AID] [--params HEX] [--default]]\n"
            "       cardlet image delete CARD.img AID\n"
            "       cardlet image info CARD.img\n"
            "  install   loads the package (the image is created if missing); with --applet, creates an\n"
            "            instance of that applet class (instance AID: --instance, default the class AID);\n"
            "            without FILE.cap, only the instance (of a package loaded before).\n"
            "            --params: GlobalPlatform install parameters (C9 LL data; LL must match) or the\n"
            "            applet data itself (not starting with C9).\n"
            "            --default: the instance is selected on channel 0 at power-on.\n"
            "  delete    deletes the applet instance, or the package, with that AID (a package only once\n"
            "            no instance of it exists and no other package imports it).\n"
            "  info      lists the packages and applet instances in the image.\n");
}

static int parse_aid(const char *hex, uint8_t aid[16], uint8_t *len)
{
    long n = cl_hex_decode(hex, aid, 16);
    if (n < 5 || n > 16) { fprintf(stderr, "cardlet image: '%s' is not an AID of 5..16 bytes\n", hex); return -1; }
    *len = (uint8_t)n;
    return 0;
}

/* --params starting with C9 are GlobalPlatform install parameters (C9, BER length, applet data): the
 * applet gets the C9 value. A length that does not match the bytes after it is a mistake in the
 * command line, refused before the image is opened -- taking the whole field as raw applet data
 * would install an applet with data its author never meant. Other bytes are the applet data itself. */
static int install_params_data(const uint8_t *params, const uint8_t **data, long *plen)
{
    if (*plen < 1 || params[0] != 0xC9) return 0;
    long hdr = 2, declared;
    if (*plen < 2) {
        fprintf(stderr, "cardlet image: --params: the C9 block has no length byte\n");
        return -1;
    }
    if (params[1] < 0x80) {
        declared = params[1];
    } else if (params[1] == 0x81 && *plen >= 3) {
        declared = params[2];
        hdr = 3;
    } else {
        fprintf(stderr, "cardlet image: --params: the C9 length %02X is not a length of 0..255 bytes\n", params[1]);
        return -1;
    }
    if (hdr + declared != *plen) {
        fprintf(stderr, "cardlet image: --params: the C9 block declares %ld bytes of applet data but %ld follow\n",
                declared, *plen - hdr);
        return -1;
    }
    *data = params + hdr;
    *plen = declared;
    return 0;
}

static int open_vm(const char *path, uint32_t create, card_t **card, vm_t **vm)
{
    cl_error_t e = { { 0 } };
    if (card_open(path, create, IMG_SYNC_FULL, card, &e)) { fprintf(stderr, "cardlet image: %s\n", e.msg); return -1; }
    *vm = vm_card_attach(*card, VM_CARD_HEAP_OFFSET, &e);
    if (!*vm) { fprintf(stderr, "cardlet image: %s: %s\n", path, e.msg); card_close(*card); return -1; }
    return 0;
}

static int image_install(int argc, char **argv)
{
    static const struct option opts[] = {
        { "applet", required_argument, 0, 'a' }, { "instance", required_argument, 0, 'i' },
        { "params", required_argument, 0, 'p' }, { "default", no_argument, 0, 'd' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
    };
    uint8_t cls[16], inst[16], params[255];
    uint8_t cls_len = 0, inst_len = 0;
    long plen = 0;
    bool dflt = false, have_cls = false, have_inst = false, have_params = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        /* One instance per call: a second --applet, --instance or --params would silently replace the
         * first (and install one instance where two were meant). */
        bool *seen = c == 'a' ? &have_cls : c == 'i' ? &have_inst : c == 'p' ? &have_params : NULL;
        if (seen && *seen) {
            const char *name = c == 'a' ? "applet" : c == 'i' ? "instance" : "params";
            fprintf(stderr, "cardlet image: --%s given twice: one instance per call (create another with a "
                    "second `cardlet image install IMG --applet AID`)\n", name);
            return 2;
        }
        if (seen) *seen = true;
        switch (c) {
        case 'a': if (parse_aid(optarg, cls, &cls_len)) return 2; break;
        case 'i': if (parse_aid(optarg, inst, &inst_len)) return 2; break;
        case 'p':
            plen = cl_hex_decode(optarg, params, sizeof params);
            if (plen < 0) { fprintf(stderr, "cardlet image: --params: bad hex\n"); return 2; }
            break;
        case 'd': dflt = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    int npos = argc - optind; /* CARD.img [FILE.cap]: without a CAP, only an instance is created */
    if (npos < 1 || npos > 2 || ((have_inst || plen || dflt) && !have_cls) || (npos == 1 && !have_cls)) {
        usage(stderr);
        return 2;
    }
    const uint8_t *data = params;
    if (install_params_data(params, &data, &plen)) return 2;
    size_t cap_len = 0;
    cl_error_t e = { { 0 } };
    uint8_t *cap = NULL;
    if (npos == 2 && !(cap = cl_read_file(argv[optind + 1], 4u << 20, &cap_len, &e))) {
        fprintf(stderr, "cardlet image: %s\n", e.msg);
        return 1;
    }
    card_t *card;
    vm_t *vm;
    if (open_vm(argv[optind], CARD_DEFAULT_IMAGE_SIZE, &card, &vm)) { free(cap); return 1; }
    int rc = vm_card_install(vm, cap, cap_len, have_cls ? cls : NULL, cls_len, have_inst ? inst : NULL, inst_len, data,
                             (uint8_t)plen, dflt, &e);
    if (rc) fprintf(stderr, "cardlet image: %s: %s\n", argv[optind + npos - 1], e.msg);
    free(cap);
    vm_card_detach(card, vm);
    card_close(card);
    return rc ? 1 : 0;
}

static int image_info(int argc, char **argv)
{
    if (argc != 2) { usage(stderr); return 2; }
    card_t *card;
    vm_t *vm;
    /* create_size 0: an image that does not exist is an error, not a new card */
    if (open_vm(argv[1], 0, &card, &vm)) return 1;
    vm_card_describe(vm, stdout);
    vm_card_detach(card, vm);
    card_close(card);
    return 0;
}

static int image_delete(int argc, char **argv)
{
    if (argc != 3) { usage(stderr); return 2; }
    uint8_t aid[16], len;
    if (parse_aid(argv[2], aid, &len)) return 2;
    card_t *card;
    vm_t *vm;
    if (open_vm(argv[1], 0, &card, &vm)) return 1;
    cl_error_t e = { { 0 } };
    int rc;
    bool is_instance = false;
    vm_instance_info_t info;
    for (int i = 0; i < vm_card_instance_count(vm); i++)
        if (vm_card_instance(vm, i, &info) && info.aid_len == len && !memcmp(info.aid, aid, len)) is_instance = true;
    rc = is_instance ? vm_card_delete_applet(vm, aid, len, &e) : vm_card_delete_package(vm, aid, len, &e);
    if (rc) fprintf(stderr, "cardlet image: %s: %s\n", argv[2], e.msg);
    vm_card_detach(card, vm);
    card_close(card);
    return rc ? 1 : 0;
}

static int cmd_image(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "install")) return image_install(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info")) return image_info(argc - 1, argv + 1);
    if (!strcmp(argv[1], "delete")) return image_delete(argc - 1, argv + 1);
    fprintf(stderr, "cardlet image: unknown subcommand '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}

CLI_REGISTER(image, "load packages and applets into a card image, list its contents", cmd_image)
