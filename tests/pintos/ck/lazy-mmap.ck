run: lazy mmap
---
(lazy) begin
(lazy) create pages, 16 pages
(lazy) mmap it
(lazy) mapping: 0000000000000000
(lazy) written page 3, read page 12: 0001000000001000
(lazy) unmapped: 0000000000000000
(lazy) end
lazy: exit(0)
