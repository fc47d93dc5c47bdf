run: bad jump-data
status: 255
---
(bad) begin
(bad) jump into data
bad: exit(-1)
