/* wake_floor.c - the least a periodic agent can do: wake every N seconds and read
 * /proc/stat once. bench/agent_footprint.sh runs it beside the agents and reports its
 * CPU per wake, the floor that the machine itself puts under any per-cycle figure
 * (waking a sleeping process, cold caches and TLB, one read of /proc). */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int interval = argc > 1 ? atoi(argv[1]) : 5;
    char buf[16384];
    if (interval < 1)
        return 2;
    for (;;) {
        sleep((unsigned)interval);
        int fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return 1;
        while (read(fd, buf, sizeof buf) > 0) {
        }
        close(fd);
    }
}
