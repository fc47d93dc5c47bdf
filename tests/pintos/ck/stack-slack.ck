# RISC-V's rule: a fault at or above sp - 32 grows the stack
run: stack slack
counter: stack_growth == 3
---
(stack) begin
(stack) a store at sp - 32 grows the stack
(stack) a store at sp - 1 grows it
(stack) a store at sp grows it
(stack) end
stack: exit(0)
