run: stack syscall-below
files: sample.txt
status: 255
---
(stack) begin
(stack) read() into sp - 8192
stack: exit(-1)
