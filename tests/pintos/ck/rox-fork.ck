run: rox fork
---
(rox) begin
(rox) the child: try to write "rox"
child: exit(0)
(rox) the parent, after the child ended: try to write "rox"
(rox) end
rox: exit(0)
