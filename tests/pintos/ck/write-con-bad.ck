# a console write is checked whole before a byte of it is printed
run: write console-bad
status: 255
---
(write) begin
(write) write 64 bytes to the console from 16 below USER_STACK
write: exit(-1)
