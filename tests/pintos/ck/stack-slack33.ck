run: stack slack33
status: 255
counter: kill_segv-unmapped == 1
---
(stack) begin
(stack) a store at sp - 33
stack: exit(-1)
