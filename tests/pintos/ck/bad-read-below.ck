run: bad read-below
status: 255
---
(bad) begin
(bad) read KERN_BASE - 4096 (user space, nothing mapped)
bad: exit(-1)
