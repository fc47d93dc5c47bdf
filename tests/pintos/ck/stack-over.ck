# passes the sp test, but below the 1 MiB the stack may have
run: stack over
status: 255
counter: kill_stack-overflow == 1
---
(stack) begin
(stack) a store at USER_STACK - 1 MiB - 1, sp 31 bytes above it
stack: exit(-1)
