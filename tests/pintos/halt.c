/* halt.c — halt ends the whole run at once: nothing more is printed, no
 * exit line, not even for other processes, and vmlab's status is 0.
 *   halt          the process halts
 *   halt child    a child that never ends is running when its parent halts
 *   halt inchild  a child halts while its parent waits for it */
#include "common.h"

int main(int argc, char *argv[])
{
    test_name = "halt";
    msg("begin");
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "child")) {
        pid_t pid = fork("looper");
        if (pid == 0)
            for (volatile int i = 0;; i++)
                ;
        msg("forked a child that never ends");
    } else if (!strcmp(mode, "inchild")) {
        pid_t pid = fork("halter");
        if (pid == 0) {
            msg("the child halts");
            halt();
        }
        wait(pid);
        fail("wait returned after the machine halted");
    }
    halt();
    fail("should have halted");
}
