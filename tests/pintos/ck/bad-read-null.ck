run: bad read-null
status: 255
san: yes
---
(bad) begin
(bad) read address 0
bad: exit(-1)
