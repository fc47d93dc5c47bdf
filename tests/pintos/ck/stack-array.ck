run: stack array
---
(stack) begin
(stack) a 128 KiB array on the stack, written and read back
(stack) end
stack: exit(0)
