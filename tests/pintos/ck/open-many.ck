run: open many
files: sample.txt
---
(open) begin
(open) 100 opens: 100 distinct descriptors, each above the last
(open) end
open: exit(0)
