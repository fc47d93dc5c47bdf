run: open bound
files: sample.txt
---
(open) begin
(open) open a name across a page boundary
(open) end
open: exit(0)
