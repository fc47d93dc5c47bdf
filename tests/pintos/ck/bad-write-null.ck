run: bad write-null
status: 255
---
(bad) begin
(bad) write address 0
bad: exit(-1)
