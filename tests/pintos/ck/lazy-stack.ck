run: lazy stack
---
(lazy) begin
(lazy) the stack's page in use is present
(lazy) 64 pages below the top: not
(lazy) USER_STACK itself: nothing there
(lazy) KERN_BASE and 0: nothing there
(lazy) end
lazy: exit(0)
