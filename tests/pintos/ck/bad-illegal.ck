run: bad illegal
status: 255
---
(bad) begin
(bad) execute an illegal instruction
bad: exit(-1)
