run: lazy code
---
(lazy) begin
(lazy) main's page is present
(lazy) a function never called is not
(lazy) call it
(lazy) now it is
(lazy) end
lazy: exit(0)
