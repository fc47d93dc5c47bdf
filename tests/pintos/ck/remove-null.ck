run: remove null
status: 255
---
(remove) begin
(remove) remove(NULL)
remove: exit(-1)
