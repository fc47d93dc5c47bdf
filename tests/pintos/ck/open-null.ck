run: open null
status: 255
---
(open) begin
(open) open(NULL)
open: exit(-1)
