run: open empty
---
(open) begin
(open) open "" fails
(open) end
open: exit(0)
