#include "core/tags/tag_reader.hpp"

#include <taglib/fileref.h>
#include <taglib/tdebuglistener.h>
#include <taglib/tfilestream.h>
#include <taglib/tpropertymap.h>

#include <mutex>

namespace vibed::core {
namespace {

// TagLib reports every malformed frame on stderr; a damaged tag is normal in
// real libraries, and our callers report what matters themselves.
class SilentTagLibListener final : public TagLib::DebugListener {
public:
    void printMessage(const TagLib::String&) override {}
};

void silence_taglib() {
    static SilentTagLibListener listener;
    static std::once_flag once;
    std::call_once(once, [] { TagLib::setDebugListener(&listener); });
}

std::string to_utf8(const TagLib::String& value) { return value.to8Bit(true); }

std::string first_property(const TagLib::PropertyMap& properties, const char* key) {
    const auto it = properties.find(key);
    if (it == properties.end() || it->second.isEmpty()) return {};
    return to_utf8(it->second.front());
}

}  // namespace

TrackTags read_tags(const std::filesystem::path& file) noexcept {
    TrackTags tags;
    try {
        silence_taglib();
        TagLib::FileStream stream(file.c_str(), /*openReadOnly=*/true);
        if (!stream.isOpen()) return tags;
        TagLib::FileRef ref(&stream, /*readAudioProperties=*/true, TagLib::AudioProperties::Average);
        if (ref.isNull()) return tags;
        if (const TagLib::Tag* tag = ref.tag(); tag != nullptr) {
            tags.title = to_utf8(tag->title());
            tags.artist = to_utf8(tag->artist());
            tags.album = to_utf8(tag->album());
            tags.genre = to_utf8(tag->genre());
            tags.year = static_cast<int>(tag->year());
            tags.track_number = static_cast<int>(tag->track());
            tags.album_artist = first_property(ref.file()->properties(), "ALBUMARTIST");
        }
        if (const TagLib::AudioProperties* audio = ref.audioProperties(); audio != nullptr) {
            tags.duration_seconds = audio->lengthInMilliseconds() / 1000.0;
        }
    } catch (...) {
        // A tag parser failure must not cost us the audio analysis.
    }
    return tags;
}

}  // namespace vibed::core
