# the kernel's own fault on a system call's buffer grows the stack by the
# sp saved at the call (pitfall 1: pt-grow-stk-sc)
run: stack syscall
files: sample.txt
---
(stack) begin
(stack) read() into a stack buffer whose pages were never touched
(stack) end
stack: exit(0)
