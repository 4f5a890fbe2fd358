/* Sub-commands of the pcapstream binary. Each takes argc/argv starting at its own name and
 * returns the process exit status. */
#ifndef PCAPSTREAM_CMD_H
#define PCAPSTREAM_CMD_H

int cmd_decode(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_realtime(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_prune(int argc, char **argv);

#endif
