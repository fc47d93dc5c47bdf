/* syscall.h — the PintOS system calls, as PintOS's lib/user/syscall.h
 * declares them, for programs run by `vmlab run --abi pintos`. */
#ifndef PINTOS_SYSCALL_H
#define PINTOS_SYSCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int pid_t;
#define PID_ERROR ((pid_t) -1)
typedef int32_t off_t;
#define MAP_FAILED ((void *) NULL)

/* Standard descriptors. */
#define STDIN_FILENO 0
#define STDOUT_FILENO 1

/* Projects 2 and 3. */
void halt(void) __attribute__((noreturn));
void exit(int status) __attribute__((noreturn));
pid_t fork(const char *thread_name);
int exec(const char *cmd_line);
int wait(pid_t pid);
bool create(const char *file, unsigned initial_size);
bool remove(const char *file);
int open(const char *file);
int filesize(int fd);
int read(int fd, void *buffer, unsigned length);
int write(int fd, const void *buffer, unsigned length);
void seek(int fd, unsigned position);
unsigned tell(int fd);
void close(int fd);
void *mmap(void *addr, size_t length, int writable, int fd, off_t offset);
void munmap(void *addr);

/* vmlab's test hook: the page-aligned physical address of the frame
 * mapped at addr, or 0 when that page is not present. */
uint64_t get_phys_addr(const void *addr);

#endif
