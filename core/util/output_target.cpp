#include "core/util/output_target.hpp"

namespace vibed::util {

std::string_view to_string(PathStyle style) {
    switch (style) {
        case PathStyle::absolute: return "absolute";
        case PathStyle::relative_to_playlist: return "relative-to-playlist";
        case PathStyle::relative_to_library: return "relative-to-library";
        case PathStyle::uri: return "uri";
    }
    return "?";
}

}  // namespace vibed::util
