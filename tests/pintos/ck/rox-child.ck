run: rox child
files: child-rox
san: yes
---
(rox) begin
(rox) read "child-rox"
(rox) write "child-rox"
(rox) exec "child-rox 1"
(child-rox) begin 1
(child-rox) read "child-rox"
(child-rox) try to write "child-rox"
(child-rox) end 1
child-rox: exit(12)
(rox) wait for child
(rox) write "child-rox"
(rox) end
rox: exit(0)
