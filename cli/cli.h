/* The cardlet command: one binary, one file per subcommand (cli/cmd_NAME.c).
 * A subcommand file registers itself, so adding one touches no shared table:
 *
 *     static int cmd_foo(int argc, char **argv) { ... }
 *     CLI_REGISTER(foo, "one-line summary", cmd_foo)
 *
 * Each subcommand parses its own options (argv[0] is its name), prints a usage on -h/--help and
 * returns the exit status: 0 success, 1 failure (message on stderr), 2 bad command line. */
#ifndef CLI_H
#define CLI_H

typedef int (*cli_cmd_fn)(int argc, char **argv);

struct cli_command {
    const char *name;
    const char *summary;
    cli_cmd_fn fn;
    struct cli_command *next;
};

void cli_register(struct cli_command *cmd);

#define CLI_REGISTER(NAME, SUMMARY, FN)                                                  \
    static struct cli_command cli_cmd_##NAME = { #NAME, SUMMARY, FN, 0 };               \
    __attribute__((constructor)) static void cli_register_##NAME(void) { cli_register(&cli_cmd_##NAME); }

/* Absolute path of the directory holding the running cardlet binary, used to find the driver
 * beside it (build/bin/../lib/libifdcardlet.so, or PREFIX/bin/../lib/cardlet/libifdcardlet.so). */
const char *cli_self_dir(void);

#endif
