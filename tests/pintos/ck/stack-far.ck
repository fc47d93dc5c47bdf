run: stack far
status: 255
---
(stack) begin
(stack) a store at sp - 4096
stack: exit(-1)
