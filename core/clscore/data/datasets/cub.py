"""CUB-200-2011 (Caltech-UCSD Birds) from its unpacked archive; nothing is downloaded.

Layout (``CUB_200_2011/``): ``images/<class folder>/<image>.jpg``, ``images.txt`` (``id path`` lines),
``image_class_labels.txt`` (``id label``, 1-based), ``train_test_split.txt`` (``id is_training_image``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from clscore.data.datasets.folder import CustomDataset
from clscore.errors import DataError

# The 200 species, in label order (MMClassification's CUB.CLASSES; CUB's classes.txt without "NNN.").
_NAMES = (
    "Black_footed_Albatross Laysan_Albatross Sooty_Albatross Groove_billed_Ani Crested_Auklet "
    "Least_Auklet Parakeet_Auklet Rhinoceros_Auklet Brewer_Blackbird Red_winged_Blackbird "
    "Rusty_Blackbird Yellow_headed_Blackbird Bobolink Indigo_Bunting Lazuli_Bunting Painted_Bunting "
    "Cardinal Spotted_Catbird Gray_Catbird Yellow_breasted_Chat Eastern_Towhee Chuck_will_Widow "
    "Brandt_Cormorant Red_faced_Cormorant Pelagic_Cormorant Bronzed_Cowbird Shiny_Cowbird "
    "Brown_Creeper American_Crow Fish_Crow Black_billed_Cuckoo Mangrove_Cuckoo Yellow_billed_Cuckoo "
    "Gray_crowned_Rosy_Finch Purple_Finch Northern_Flicker Acadian_Flycatcher Great_Crested_Flycatcher "
    "Least_Flycatcher Olive_sided_Flycatcher Scissor_tailed_Flycatcher Vermilion_Flycatcher "
    "Yellow_bellied_Flycatcher Frigatebird Northern_Fulmar Gadwall American_Goldfinch "
    "European_Goldfinch Boat_tailed_Grackle Eared_Grebe Horned_Grebe Pied_billed_Grebe Western_Grebe "
    "Blue_Grosbeak Evening_Grosbeak Pine_Grosbeak Rose_breasted_Grosbeak Pigeon_Guillemot "
    "California_Gull Glaucous_winged_Gull Heermann_Gull Herring_Gull Ivory_Gull Ring_billed_Gull "
    "Slaty_backed_Gull Western_Gull Anna_Hummingbird Ruby_throated_Hummingbird Rufous_Hummingbird "
    "Green_Violetear Long_tailed_Jaeger Pomarine_Jaeger Blue_Jay Florida_Jay Green_Jay Dark_eyed_Junco "
    "Tropical_Kingbird Gray_Kingbird Belted_Kingfisher Green_Kingfisher Pied_Kingfisher "
    "Ringed_Kingfisher White_breasted_Kingfisher Red_legged_Kittiwake Horned_Lark Pacific_Loon Mallard "
    "Western_Meadowlark Hooded_Merganser Red_breasted_Merganser Mockingbird Nighthawk Clark_Nutcracker "
    "White_breasted_Nuthatch Baltimore_Oriole Hooded_Oriole Orchard_Oriole Scott_Oriole Ovenbird "
    "Brown_Pelican White_Pelican Western_Wood_Pewee Sayornis American_Pipit Whip_poor_Will "
    "Horned_Puffin Common_Raven White_necked_Raven American_Redstart Geococcyx Loggerhead_Shrike "
    "Great_Grey_Shrike Baird_Sparrow Black_throated_Sparrow Brewer_Sparrow Chipping_Sparrow "
    "Clay_colored_Sparrow House_Sparrow Field_Sparrow Fox_Sparrow Grasshopper_Sparrow Harris_Sparrow "
    "Henslow_Sparrow Le_Conte_Sparrow Lincoln_Sparrow Nelson_Sharp_tailed_Sparrow Savannah_Sparrow "
    "Seaside_Sparrow Song_Sparrow Tree_Sparrow Vesper_Sparrow White_crowned_Sparrow "
    "White_throated_Sparrow Cape_Glossy_Starling Bank_Swallow Barn_Swallow Cliff_Swallow Tree_Swallow "
    "Scarlet_Tanager Summer_Tanager Artic_Tern Black_Tern Caspian_Tern Common_Tern Elegant_Tern "
    "Forsters_Tern Least_Tern Green_tailed_Towhee Brown_Thrasher Sage_Thrasher Black_capped_Vireo "
    "Blue_headed_Vireo Philadelphia_Vireo Red_eyed_Vireo Warbling_Vireo White_eyed_Vireo "
    "Yellow_throated_Vireo Bay_breasted_Warbler Black_and_white_Warbler Black_throated_Blue_Warbler "
    "Blue_winged_Warbler Canada_Warbler Cape_May_Warbler Cerulean_Warbler Chestnut_sided_Warbler "
    "Golden_winged_Warbler Hooded_Warbler Kentucky_Warbler Magnolia_Warbler Mourning_Warbler "
    "Myrtle_Warbler Nashville_Warbler Orange_crowned_Warbler Palm_Warbler Pine_Warbler Prairie_Warbler "
    "Prothonotary_Warbler Swainson_Warbler Tennessee_Warbler Wilson_Warbler Worm_eating_Warbler "
    "Yellow_Warbler Northern_Waterthrush Louisiana_Waterthrush Bohemian_Waxwing Cedar_Waxwing "
    "American_Three_toed_Woodpecker Pileated_Woodpecker Red_bellied_Woodpecker Red_cockaded_Woodpecker "
    "Red_headed_Woodpecker Downy_Woodpecker Bewick_Wren Cactus_Wren Carolina_Wren House_Wren "
    "Marsh_Wren Rock_Wren Winter_Wren Common_Yellowthroat"
)
CUB_CLASSES: tuple[str, ...] = tuple(_NAMES.split(" "))


def read_id_table(path: str, what: str, key: str) -> dict[str, str]:
    """``{id: value}`` from a CUB file of ``id value`` lines; ``key`` names the config key for messages."""
    if not os.path.isfile(path):
        raise DataError(
            f"CUB: {what} not found: {path}. Point '{key}' at the file of that name in the unpacked "
            "CUB_200_2011 folder."
        )
    table: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            parts = line.split(maxsplit=1)
            if not parts:
                continue
            if len(parts) != 2:
                raise DataError(f"{path}:{lineno}: expected 'image_id value', got {line.strip()!r}")
            table[parts[0]] = parts[1].strip()
    return table


class CUB(CustomDataset):
    """CUB-200-2011: 11,788 bird images of 200 species, split 5,994 train / 5,794 test.

    ``ann_file`` is ``images.txt``, ``image_class_labels_file`` ``image_class_labels.txt`` and
    ``train_test_split_file`` ``train_test_split.txt``; image paths are relative to ``data_prefix``
    (the ``images/`` folder). ``test_mode`` selects the test images (``is_training_image`` 0), otherwise
    the training ones. Lines of the three files are matched by image id.
    """

    def __init__(
        self,
        ann_file: str,
        image_class_labels_file: str,
        train_test_split_file: str,
        data_prefix: str | None = None,
        pipeline: Sequence[dict] | None = None,
        classes: str | Sequence[str] | None = None,
        test_mode: bool = False,
    ) -> None:
        self.image_class_labels_file = os.fspath(image_class_labels_file)
        self.train_test_split_file = os.fspath(train_test_split_file)
        super().__init__(data_prefix, pipeline, classes, ann_file, test_mode)

    def load(self, classes: list[str] | None) -> tuple[np.ndarray, list[str]]:
        if self.data_prefix is not None and not os.path.isdir(self.data_prefix):
            raise DataError(
                f"CUB: data_prefix folder not found: {self.data_prefix}. Point it at CUB_200_2011/images."
            )
        paths = read_id_table(str(self.ann_file), "images.txt", "ann_file")
        labels = read_id_table(
            self.image_class_labels_file, "image_class_labels.txt", "image_class_labels_file"
        )
        splits = read_id_table(self.train_test_split_file, "train_test_split.txt", "train_test_split_file")
        if not paths:
            raise DataError(f"CUB: {self.ann_file} lists no images")
        wanted = "0" if self.test_mode else "1"
        for image_id, path in paths.items():
            for table, source in (
                (labels, self.image_class_labels_file),
                (splits, self.train_test_split_file),
            ):
                if image_id not in table:
                    raise DataError(f"CUB: image id {image_id} ({path}) is missing from {source}")
            if splits[image_id] not in ("0", "1"):
                raise DataError(
                    f"CUB: {self.train_test_split_file}: image id {image_id} has split {splits[image_id]!r}; "
                    "expected 1 (train) or 0 (test)"
                )
            if splits[image_id] == wanted:
                try:
                    label = int(labels[image_id]) - 1
                except ValueError:
                    raise DataError(
                        f"CUB: {self.image_class_labels_file}: image id {image_id} has label "
                        f"{labels[image_id]!r}; expected a class number from 1"
                    ) from None
                self.samples.append((path, label))
        if not self.samples:
            split = "test" if self.test_mode else "train"
            raise DataError(f"CUB: {self.train_test_split_file} marks no image as {split}")
        return np.array([label for _, label in self.samples], dtype=np.int64), list(CUB_CLASSES)
