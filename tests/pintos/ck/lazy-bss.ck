run: lazy bss
san: yes
---
(lazy) begin
(lazy) bss:  0000000000000000
(lazy) written page 5: 0000010000000000
(lazy) read page 10:   0000010000100000
(lazy) end
lazy: exit(0)
