// Internals of build_layout() shared between its files.
#pragma once

#include "sim/diagram/layout.hpp"

namespace tcpsim::diagram::detail {

// Places the arrow labels at their arrows' midpoints, then nudges every text box down until no
// two overlap (in order of height; each label is compared with the boxes still reaching it).
void place_labels(Layout& layout);
// Fills layout.buckets: every primitive in each bucket of height bucket_h its extent meets.
void build_index(Layout& layout);

}  // namespace tcpsim::diagram::detail
