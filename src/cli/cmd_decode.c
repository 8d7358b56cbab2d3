/* tlsalert decode: not built yet. */
#include "cli.h"

int cmd_decode(struct cli *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_fail(c, "not implemented yet");
}
