run: remove normal
absent: tmp
---
(remove) begin
(remove) create tmp
(remove) remove tmp
(remove) open tmp fails
(remove) remove tmp again fails
(remove) end
remove: exit(0)
