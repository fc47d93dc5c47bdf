run: bad jump-null
status: 255
---
(bad) begin
(bad) jump to address 0
bad: exit(-1)
