run: stack max
---
(stack) begin
(stack) a store at USER_STACK - 1 MiB grows the stack
(stack) end
stack: exit(0)
