run: bad jump-kernel
status: 255
---
(bad) begin
(bad) jump to KERN_BASE
bad: exit(-1)
