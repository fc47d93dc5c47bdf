run: rox multichild
files: child-rox
---
(rox) begin
(rox) read "child-rox"
(rox) write "child-rox"
(rox) exec "child-rox 3"
(child-rox) begin 3
(child-rox) read "child-rox"
(child-rox) try to write "child-rox"
(child-rox) begin 2
(child-rox) read "child-rox"
(child-rox) try to write "child-rox"
(child-rox) begin 1
(child-rox) read "child-rox"
(child-rox) try to write "child-rox"
(child-rox) end 1
child-rox: exit(12)
(child-rox) read "child-rox"
(child-rox) try to write "child-rox" again
(child-rox) end 2
child-rox: exit(12)
(child-rox) read "child-rox"
(child-rox) try to write "child-rox" again
(child-rox) end 3
child-rox: exit(12)
(rox) wait for child
(rox) write "child-rox"
(rox) end
rox: exit(0)
