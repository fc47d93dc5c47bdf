run: open missing
---
(open) begin
(open) open no-such-file fails
(open) end
open: exit(0)
