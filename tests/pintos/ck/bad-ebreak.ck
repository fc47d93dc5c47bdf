run: bad ebreak
status: 255
---
(bad) begin
(bad) execute ebreak
bad: exit(-1)
