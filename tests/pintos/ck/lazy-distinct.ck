run: lazy distinct
---
(lazy) begin
(lazy) 8 pages written: 8 distinct frames
(lazy) bss:  1010101010101010
(lazy) end
lazy: exit(0)
