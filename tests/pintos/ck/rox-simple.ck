run: rox simple
---
(rox) begin
(rox) read "rox"
(rox) try to write "rox"
(rox) end
rox: exit(0)
