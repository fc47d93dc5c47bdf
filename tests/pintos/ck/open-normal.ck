run: open normal
files: sample.txt
---
(open) begin
(open) open sample.txt
(open) end
open: exit(0)
