/* cardlet: entry point; dispatches to the subcommand named by argv[1]. */
#include "cli/cli.h"
#include "common/cl_util.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct cli_command *commands; /* kept sorted by name */

void cli_register(struct cli_command *cmd)
{
    struct cli_command **p = &commands;
    while (*p && strcmp((*p)->name, cmd->name) < 0) p = &(*p)->next;
    cmd->next = *p;
    *p = cmd;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: cardlet COMMAND [OPTIONS...]   (cardlet COMMAND --help for its options)\n\ncommands:\n");
    for (const struct cli_command *c = commands; c; c = c->next)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
}

static char self_dir[PATH_MAX];

const char *cli_self_dir(void) { return self_dir; }

int main(int argc, char **argv)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        snprintf(self_dir, sizeof self_dir, "%s", dirname(exe));
    }
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (const struct cli_command *c = commands; c; c = c->next) {
        if (!strcmp(c->name, argv[1])) {
            static char tag[64];
            snprintf(tag, sizeof tag, "cardlet %s", c->name);
            cl_log_set_tag(tag);
            return c->fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "cardlet: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
