#include <gtest/gtest.h>

#include <cmath>

#include "core/model/attributes.hpp"

namespace vibed::core {
namespace {

TEST(Attributes, LikelihoodsGoThroughSigmoidAndDescriptorsAreClipped) {
    const std::array<float, kAttributeCount> logits{2.0f, 1.7f, -0.3f, 0.0f, -4.0f, 0.25f, 0.6f};
    const Attributes a = Attributes::from_logits(logits);
    EXPECT_FLOAT_EQ(a.acousticness, 1.0f / (1.0f + std::exp(-2.0f)));
    EXPECT_FLOAT_EQ(a.danceability, 1.0f);
    EXPECT_FLOAT_EQ(a.energy, 0.0f);
    EXPECT_FLOAT_EQ(a.instrumentalness, 0.5f);
    EXPECT_FLOAT_EQ(a.liveness, 1.0f / (1.0f + std::exp(4.0f)));
    EXPECT_FLOAT_EQ(a.speechiness, 0.25f);
    EXPECT_FLOAT_EQ(a.valence, 0.6f);
}

TEST(Attributes, IndexOrderIsVibeNetsLabelOrder) {
    Attributes a;
    for (std::size_t i = 0; i < kAttributeCount; ++i) a.at(i) = static_cast<float>(i);
    EXPECT_EQ(a.energy, 2.0f);
    EXPECT_EQ(attribute_index("valence"), 6u);
    EXPECT_EQ(attribute_index("loudness"), std::nullopt);
    EXPECT_THROW(a.at(kAttributeCount), std::out_of_range);
}

}  // namespace
}  // namespace vibed::core
