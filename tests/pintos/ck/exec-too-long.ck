# a command line longer than a page (4095 bytes and its NUL) cannot be loaded
run: exec too-long
files: args
status: 255
---
(exec) begin
(exec) exec a command line of 4199 bytes
exec: exit(-1)
