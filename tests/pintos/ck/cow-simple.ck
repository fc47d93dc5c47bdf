run: cow simple
counter: cow_copy >= 2
san: yes
---
(cow) begin
(cow) check data consistency
(cow) the child: check data consistency
(cow) the child: the data page is the parent's frame
(cow) the child: so is a stack page
(cow) the child: check data change
(cow) the child: its write gave it a frame of its own
(cow) the child: the stack page is still shared
(cow) the child: and copied once written
child: exit(0)
(cow) the parent keeps its frames
(cow) and its data
(cow) end
cow: exit(0)
