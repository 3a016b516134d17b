#include "core/tags/tag_reader.hpp"

#include <taglib/fileref.h>
#include <taglib/tdebuglistener.h>
#include <taglib/tiostream.h>
#include <taglib/tpropertymap.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <mutex>

#include "core/audio/source_file.hpp"

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

// TagLib reading through the descriptor the decoder also uses: the file is
// opened once (and checked to be a regular file) for tags and audio alike, so
// a path swapped for a FIFO in between cannot block us. Reads with pread(), so
// the descriptor's own position, which the decoder uses, is left alone.
class DescriptorStream final : public TagLib::IOStream {
public:
    explicit DescriptorStream(const SourceFile& source)
        : descriptor_(source.descriptor()), name_(source.path().string()), length_(source.size()) {}

    TagLib::FileName name() const override { return name_.c_str(); }  // TagLib picks the format by extension
    TagLib::ByteVector readBlock(unsigned long length) override {
        const auto wanted = static_cast<unsigned long>(std::clamp<long>(length_ - position_, 0, static_cast<long>(length)));
        TagLib::ByteVector block(static_cast<unsigned int>(wanted), '\0');
        ssize_t got = 0;
        do {
            got = ::pread(descriptor_, block.data(), wanted, position_);
        } while (got < 0 && errno == EINTR);
        if (got < 0) got = 0;
        block.resize(static_cast<unsigned int>(got));
        position_ += got;
        return block;
    }
    void writeBlock(const TagLib::ByteVector&) override {}
    void insert(const TagLib::ByteVector&, unsigned long, unsigned long) override {}
    void removeBlock(unsigned long, unsigned long) override {}
    bool readOnly() const override { return true; }
    bool isOpen() const override { return true; }
    void seek(long offset, Position from) override {
        const long base = from == Beginning ? 0 : from == Current ? position_ : length_;
        position_ = std::max(0L, base + offset);
    }
    long tell() const override { return position_; }
    long length() override { return length_; }
    void truncate(long) override {}

private:
    int descriptor_;
    std::string name_;
    long length_;
    long position_ = 0;
};

std::string to_utf8(const TagLib::String& value) { return value.to8Bit(true); }

std::string first_property(const TagLib::PropertyMap& properties, const char* key) {
    const auto it = properties.find(key);
    if (it == properties.end() || it->second.isEmpty()) return {};
    return to_utf8(it->second.front());
}

}  // namespace

TrackTags read_tags(const std::filesystem::path& file) noexcept {
    try {
        const SourceFile source(file);
        return read_tags(source);
    } catch (...) {
        return {};  // not a readable regular file: no tags (the decoder says why)
    }
}

TrackTags read_tags(const SourceFile& source) noexcept {
    TrackTags tags;
    try {
        silence_taglib();
        DescriptorStream stream(source);
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
