/* syscall-nr.h — the system-call numbers of vmlab's PintOS personality.
 *
 * They are PintOS's (lib/syscall-nr.h): a7 holds the number, a0-a5 the
 * arguments, a0 the result. Numbers 16 and up (project 4's calls, dup2,
 * mount) are not served: they return -1. 0x42 is vmlab's test hook. */
#ifndef PINTOS_SYSCALL_NR_H
#define PINTOS_SYSCALL_NR_H

enum {
    SYS_HALT = 0,     /* end the whole run */
    SYS_EXIT = 1,     /* end this process */
    SYS_FORK = 2,     /* clone this process */
    SYS_EXEC = 3,     /* replace this process's image */
    SYS_WAIT = 4,     /* wait for a child to end */
    SYS_CREATE = 5,   /* create a file */
    SYS_REMOVE = 6,   /* delete a file */
    SYS_OPEN = 7,     /* open a file */
    SYS_FILESIZE = 8, /* a file's size */
    SYS_READ = 9,     /* read from a file or the keyboard */
    SYS_WRITE = 10,   /* write to a file or the console */
    SYS_SEEK = 11,    /* set a file's position */
    SYS_TELL = 12,    /* a file's position */
    SYS_CLOSE = 13,   /* close a descriptor */
    SYS_MMAP = 14,    /* map a file into memory */
    SYS_MUNMAP = 15,  /* remove a mapping */
    SYS_GET_PHYS_ADDR = 0x42,   /* vmlab's test hook: the frame mapped at an address */
};

#endif
