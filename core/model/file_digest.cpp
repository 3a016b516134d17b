#include "core/model/file_digest.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <utility>

#include "core/util/file_stamp.hpp"

namespace vibed::core {
namespace {

struct DigestContextDeleter {
    void operator()(EVP_MD_CTX* context) const noexcept { EVP_MD_CTX_free(context); }
};

}  // namespace

std::string sha256_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file.string() + ": cannot open for reading");
    std::unique_ptr<EVP_MD_CTX, DigestContextDeleter> context(EVP_MD_CTX_new());
    if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("sha256: cannot initialise OpenSSL digest");
    }
    std::array<char, 1 << 16> buffer{};
    while (in) {
        in.read(buffer.data(), buffer.size());
        if (in.gcount() > 0) EVP_DigestUpdate(context.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) throw std::runtime_error(file.string() + ": read error while hashing");
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(context.get(), digest.data(), &length);
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        char pair[3];
        std::snprintf(pair, sizeof pair, "%02x", digest[i]);
        hex += pair;
    }
    return hex;
}

std::optional<FileDigest> digest_of_current(const std::filesystem::path& file, std::string sha256) {
    const auto stamp = util::stamp_of(file);
    if (!stamp) return std::nullopt;
    return FileDigest{file, stamp->size, stamp->mtime_ns, std::move(sha256)};
}

std::string sha256_file_reusing(const std::filesystem::path& file, const std::optional<FileDigest>& known) {
    if (known && known->file == file && !known->sha256.empty()) {
        if (util::stamp_of(file) == util::FileStamp{known->size, known->mtime_ns}) return known->sha256;
    }
    return sha256_file(file);
}

}  // namespace vibed::core
