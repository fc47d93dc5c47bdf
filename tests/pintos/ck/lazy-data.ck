run: lazy data
---
(lazy) begin
(lazy) data: 0000000000000000
(lazy) page 8 holds its initial value
(lazy) data: 0000000010000000
(lazy) rodata: 0000000000000000
(lazy) pages 0 and 8 of the constants hold theirs
(lazy) rodata: 1000000010000000
(lazy) end
lazy: exit(0)
