"""Word lists the demo draws its fictional people, schools and addresses from."""

GIVEN_NAMES = (
    "Aaliyah", "Abdi", "Adriana", "Ahmed", "Aiyana", "Akira", "Amara", "Ana", "Andre", "Anjali",
    "Beatriz", "Benjamin", "Bich", "Brandon", "Camila", "Carlos", "Chen", "Chiara", "Claudette",
    "Darius", "Deepa", "Demetrius", "Diego", "Dmitri", "Ebony", "Elena", "Emeka", "Esperanza",
    "Fatima", "Felipe", "Gabriela", "Grace", "Hamza", "Hannah", "Hyun-woo", "Ibrahim", "Imani",
    "Isabel", "Jamal", "Janelle", "Javier", "Jin", "Joaquín", "Jordan", "Kalani", "Keisha", "Kenji",
    "Kwame", "Lakshmi", "Latoya", "Leila", "Liam", "Lucía", "Malik", "Marisol", "Mateo", "Maya",
    "Mei", "Miguel", "Mohammed", "Nadia", "Naomi", "Nia", "Nikhil", "Noah", "Olga", "Omar", "Priya",
    "Rafael", "Rashida", "Renee", "Rosa", "Ruth", "Samir", "Sana", "Santiago", "Sarah", "Seo-yeon",
    "Shanice", "Sofia", "Tamika", "Tariq", "Thanh", "Theo", "Tomás", "Valeria", "Wei", "Wyatt",
    "Xiomara", "Yasmin", "Yusuf", "Zainab", "Zoe",
)

FAMILY_NAMES = (
    "Abernathy", "Adeyemi", "Aguilar", "Ahmadi", "Anderson", "Banerjee", "Bautista", "Bennett",
    "Brooks", "Castillo", "Chandra", "Chen", "Coleman", "Cruz", "Daniels", "Delgado", "Diallo",
    "Dubois", "Easton", "Estrada", "Farah", "Fitzgerald", "Flores", "Gallagher", "García",
    "Goldberg", "Gonzalez", "Greene", "Gupta", "Haddad", "Hernández", "Hoang", "Hughes", "Ibarra",
    "Jackson", "Jensen", "Johnson", "Kaur", "Kim", "Kowalczyk", "Larsen", "Lee", "Lopez", "Mahmoud",
    "Martinez", "McAllister", "Mendoza", "Mensah", "Morales", "Murphy", "Nakamura", "Nguyen",
    "Novak", "Obi", "O'Connor", "Okafor", "Olsen", "Ortiz", "Park", "Patel", "Petrov", "Phillips",
    "Quintero", "Ramirez", "Reyes", "Rivera", "Robinson", "Rosen", "Sánchez", "Santos", "Schmidt",
    "Shah", "Singh", "Sokolov", "Sullivan", "Tanaka", "Thompson", "Torres", "Tran", "Vasquez",
    "Walker", "Washington", "Williams", "Wójcik", "Yamamoto", "Yilmaz", "Young", "Zhang",
)

# Namesakes and places for school names; a pyramid's schools each get a different one.
SCHOOL_NAMESAKES = (
    "Angelou", "Arbor Glen", "Audubon", "Banneker", "Bay View", "Bethune", "Birchwood", "Carver",
    "Cedar Ridge", "César Chávez", "Clemente", "Dolores Huerta", "Douglass", "Du Bois", "Eastgate",
    "Edison", "Ellington", "Fairview", "Franklin", "Garfield Park", "Glenwood", "Grace Hopper",
    "Greenbrier", "Hamilton Heights", "Harbor View", "Harriet Tubman", "Hawthorne", "Hillcrest",
    "Holmes", "Ida B. Wells", "Ironwood", "Jane Addams", "Juniper Hill", "Kennedy", "King",
    "Korematsu", "Lakeview", "Langston Hughes", "Lincoln Park", "Longfellow", "Maplewood",
    "Meadowbrook", "Meridian", "Millbrook", "Mink", "Morningside", "North Star", "Northshore",
    "Oak Grove", "Ochoa", "Old Mill", "Parks", "Pine Bluff", "Prairie View", "Quarry Hill",
    "Ramona Bennett", "Red Oak", "Ridgeway", "Riverbend", "Robeson", "Roosevelt", "Rosa Parks",
    "Sandburg", "Silver Lake", "Sojourner Truth", "Southfield", "Stone Creek", "Sunnyside",
    "Sycamore", "Thurgood Marshall", "Twin Oaks", "Union Square", "Vista Heights", "Walnut Hill",
    "Washington Irving", "West End", "Whitman", "Wildwood", "Willow Creek", "Windsor", "Wright",
)

# Plain forms are listed more than once so that most schools get them.
HIGH_SCHOOL_FORMS = (
    "{} High School", "{} High School", "{} High School", "{} Early College High School",
    "{} Academy of Science and Technology", "{} Career and Technical High School",
)
MIDDLE_SCHOOL_FORMS = ("{} Middle School", "{} Middle School", "{} STEAM Middle School")
ELEMENTARY_SCHOOL_FORMS = (
    "{} Elementary School", "{} Elementary School", "{} Community Elementary School",
)

STREETS = (
    "Ash Street", "Bluff Road", "Canal Street", "Cedar Avenue", "Commerce Street", "Dock Street",
    "Elm Street", "Ferry Road", "Grand Avenue", "Harbor Boulevard", "Hickory Lane",
    "Jefferson Avenue", "Lake Shore Drive", "Linden Avenue", "Main Street", "Maple Avenue",
    "Mill Road", "Oak Street", "Orchard Lane", "Park Avenue", "Pine Street", "Prospect Street",
    "Railroad Avenue", "River Road", "School Street", "Spruce Street", "Summit Avenue",
    "Union Street", "Water Street", "Willow Drive",
)

SUBJECTS = (
    "Mathematics", "Algebra", "English language arts", "Biology", "Chemistry", "Physics",
    "World history", "U.S. history", "Spanish", "Visual arts", "Music", "Special education",
    "English as a second language", "Computer science", "Health science", "Civics",
)
